import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUiErrorHandler, createUiRequestGuard, isCleanTarget, isHostAndPort, parseOrigin } from './ui-request-guard.ts'

describe('isCleanTarget', () => {
  it.each([
    '/',
    '/catalog',
    '/catalog?q=%E6%B2%88%E9%98%B3',
    '/catalog?q=a+b&domain=',
    '/operator/datasets/DS-1?index',
    '/x?a=%25',
  ])('accepts %s', (target) => expect(isCleanTarget(target)).toBe(true))
  it.each([
    '/catalog/%E0%A4%A',
    '/catalog/%',
    '/catalog/%zz',
    '/catalog/%FF',
    '/catalog/%ED%A0%80',
    '/catalog/%00',
    '/catalog/a%0Ab',
    '/catalog/%7F',
    '/catalog/%C2%85',
    '/catalog/%E2%80%AE',
    '/catalog?q=%E0%A4%A',
    '/catalog?q=100%',
    '/catalog?%00=1',
    '/catalog?q=%09',
    '/catalog?redirectTo=%0D%0ASet-Cookie:x',
  ])('refuses %s', (target) => expect(isCleanTarget(target)).toBe(false))
})

describe('isHostAndPort', () => {
  it.each(['localhost', 'localhost:3000', '127.0.0.1:41234', '[::1]:8080', 'data.shenyang.gov.cn', 'my_app:3000', 'a.b.'])(
    'accepts %s',
    (host) => expect(isHostAndPort(host)).toBe(true),
  )
  it.each(['a b', '[::', 'x:99999999999', 'x:65536', '%', 'a@b', 'a/b', 'a:b:c', '', ':80', 'a\\b', 'x'.repeat(400)])(
    'refuses %j',
    (host) => expect(isHostAndPort(host)).toBe(false),
  )
})

describe('parseOrigin', () => {
  it('reads scheme://host[:port] and nothing else', () => {
    expect(parseOrigin('http://127.0.0.1:3000')).toEqual({ protocol: 'http:', host: '127.0.0.1:3000' })
    expect(parseOrigin('https://data.example')).toEqual({ protocol: 'https:', host: 'data.example' })
    for (const bad of [
      'null',
      'ht!tp://[::',
      'http://[::',
      'http://a b',
      'http://x/',
      'http://u@x',
      'file://',
      'javascript:1',
      'http://x, http://y',
      '',
    ])
      expect(parseOrigin(bad), bad).toBeNull()
  })
})

/** Raw bytes to the server, so a test can send what fetch refuses to (odd Host, absolute targets, any method). */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => {
      data += chunk
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (match) {
        resolve(Number(match[1]))
        socket.destroy()
      }
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error(`closed without an answer: ${JSON.stringify(data)}`)))
  })
}

describe('createUiRequestGuard in front of an Express app', () => {
  let server: Server
  let port: number
  const logged: string[] = []

  beforeAll(async () => {
    const app = express()
    app.use(createUiRequestGuard({ trustProxy: false }))
    app.get('/boom', () => {
      throw new Error('ours')
    })
    app.get('/too-big', () => {
      throw Object.assign(new Error('entity too large'), { status: 413 })
    })
    app.get('/users/:id', (req, res) => {
      res.send(req.params.id)
    })
    app.all('*', (req, res) => {
      res.send(`${req.headers['x-forwarded-host'] ?? 'no forwarded host'}`)
    })
    app.use(createUiErrorHandler({ log: (line) => logged.push(line) }))
    server = createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const get = (target: string, headers = `Host: 127.0.0.1:${port}\r\n`) =>
    rawStatus(port, `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`)
  const post = (headers: string) =>
    rawStatus(
      port,
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Content-Length: 3\r\nConnection: close\r\n\r\na=1`,
    )

  it('lets ordinary requests through', async () => {
    expect(await get('/catalog?q=%E6%B2%88')).toBe(200)
    expect(await get('/users/%E6%B2%88')).toBe(200)
    expect(await post(`Origin: http://127.0.0.1:${port}\r\n`)).toBe(200)
    expect(await post('')).toBe(200)
  })

  it('answers 400 to malformed paths, queries, hosts and targets', async () => {
    expect(await get('/users/%E0%A4%A')).toBe(400)
    expect(await get('/users/%00')).toBe(400)
    expect(await get('/catalog?q=%E0%A4%A')).toBe(400)
    for (const host of ['a b', '[::', 'x:99999999999', '%', 'a@b'])
      expect(await get('/catalog', `Host: ${host}\r\n`), host).toBe(400)
    expect(await get('http://evil.example/catalog')).toBe(400)
    expect(await rawStatus(port, `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toBe(405)
  })

  it('answers 405 to methods the UI never uses', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'TRACE', 'OPTIONS', 'PROPFIND'])
      expect(
        await rawStatus(port, `${method} /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
        method,
      ).toBe(405)
  })

  it('answers 400 to a malformed Origin and 403 to a foreign one on a post', async () => {
    for (const origin of ['ht!tp://[::', 'http://[::', 'http://x, http://y', 'javascript:alert(1)', 'http://u@x'])
      expect(await post(`Origin: ${origin}\r\n`), origin).toBe(400)
    for (const origin of ['null', 'http://evil.example', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`])
      expect(await post(`Origin: ${origin}\r\n`), origin).toBe(403)
  })

  it('answers 403 to a post another site or another port of this host sent (Sec-Fetch-Site, ADR 0017)', async () => {
    for (const site of ['same-site', 'cross-site', 'bogus', '']) expect(await post(`Sec-Fetch-Site: ${site}\r\n`), site).toBe(403)
    // Our own pages, and a request the user started (a bookmark): through to the token check.
    expect(await post('Sec-Fetch-Site: same-origin\r\n')).toBe(200)
    expect(await post('Sec-Fetch-Site: none\r\n')).toBe(200)
    // Each header is checked on its own: a same-origin Sec-Fetch-Site does not excuse a foreign Origin, nor the reverse.
    expect(await post(`Sec-Fetch-Site: same-origin\r\nOrigin: http://127.0.0.1:${port + 1}\r\n`)).toBe(403)
    expect(await post(`Sec-Fetch-Site: same-site\r\nOrigin: http://127.0.0.1:${port}\r\n`)).toBe(403)
    // A GET is never refused for it (loaders change nothing).
    expect(await get('/catalog', `Host: 127.0.0.1:${port}\r\nSec-Fetch-Site: cross-site\r\n`)).toBe(200)
  })

  it('says why on the 403 page of a cross-site post', async () => {
    const page = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nSec-Fetch-Site: same-site\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        ),
      )
      let data = ''
      socket.on('data', (c) => (data += c))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(page).toMatch(/^HTTP\/1\.1 403/)
    expect(page).toContain('data-refusal="cross_site"')
    expect(page).toContain('nothing was changed')
  })

  it('drops X-Forwarded-Host when no proxy of ours is in front', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET /x HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n`),
      )
      let data = ''
      socket.on('data', (c) => (data += c))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(answer).toContain('no forwarded host')
  })

  it('turns an unexpected error into a 500 page and logs it; a client error into its 4xx', async () => {
    expect(await get('/boom')).toBe(500)
    expect(logged.some((line) => line.includes('internal error on GET /boom'))).toBe(true)
    expect(await get('/too-big')).toBe(413)
    expect(logged.filter((line) => line.includes('/too-big'))).toEqual([])
  })
})
