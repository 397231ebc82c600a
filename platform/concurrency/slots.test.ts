import { describe, expect, it } from 'vitest'
import { createSlots } from './slots.ts'

describe('createSlots', () => {
  it('lets at most max holders in at once, the rest in the order they asked, and frees a slot once', async () => {
    const slots = createSlots(2)
    const a = await slots.take()
    const b = await slots.take()
    const order: string[] = []
    const c = slots.take().then((free) => (order.push('c'), free))
    const d = slots.take().then((free) => (order.push('d'), free))
    await Promise.resolve()
    expect(order).toEqual([])
    a()
    a() // a second call frees nothing more
    const freeC = await c
    expect(order).toEqual(['c'])
    b()
    const freeD = await d
    expect(order).toEqual(['c', 'd'])
    freeC()
    freeD()
    // Both slots free again: two takes resolve at once.
    await Promise.all([slots.take(), slots.take()])
  })
})
