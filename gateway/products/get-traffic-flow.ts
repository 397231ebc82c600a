import { and, asc, eq, gte, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '#db/client.ts'
import { cityRoadSegments, cityTrafficFlows } from '#db/schema/index.ts'
import type { components } from '#api-specs/generated/openapi.d.ts'
import { DAY_MS, formatIso, parseInstant, startOfDay } from '#platform/calendar/shanghai-calendar.ts'
import { GatewayError } from '../http/gateway-error.ts'
import { requireOutput } from './dataset-rules.ts'
import { parseInput } from './parse-input.ts'
import type { ProductOperation } from './product-operation.ts'

type TrafficFlow = components['schemas']['TrafficFlow']
type TrafficFlowPoint = components['schemas']['TrafficFlowPoint']

const ROAD_TRAFFIC_FLOW_PRODUCT = 'road-traffic-flow'

/** The longest range one call may ask for, per granularity. */
const MAX_RANGE_MS = { hour: 7 * DAY_MS, day: 92 * DAY_MS } as const

const querySchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['hour', 'day']).default('hour'),
})

const findSegment = (db: Db) =>
  db
    .select()
    .from(cityRoadSegments)
    .where(eq(cityRoadSegments.code, sql.placeholder('code')))
    .limit(1)

const findFlows = (db: Db) =>
  db
    .select({
      hourStart: cityTrafficFlows.hourStart,
      vehicles: cityTrafficFlows.vehicles,
      avgSpeedKmh: cityTrafficFlows.avgSpeedKmh,
    })
    .from(cityTrafficFlows)
    .where(
      and(
        eq(cityTrafficFlows.segmentCode, sql.placeholder('code')),
        gte(cityTrafficFlows.hourStart, sql.placeholder('from')),
        lt(cityTrafficFlows.hourStart, sql.placeholder('to')),
      ),
    )
    .orderBy(asc(cityTrafficFlows.hourStart))

/**
 * 路段交通流量 (service): vehicles and mean speed of one road segment per hour or per local day over [from, to).
 * The hourly flows are L1 (records as they are); daily points are aggregates. The range is capped per granularity.
 */
export function getTrafficFlowOperation(db: Db): ProductOperation {
  const segmentQuery = findSegment(db).prepare()
  const flowsQuery = findFlows(db).prepare()
  return {
    operationId: 'getTrafficFlow',
    method: 'GET',
    path: '/api/v1/services/traffic-flow/{segment}',
    productCode: ROAD_TRAFFIC_FLOW_PRODUCT,
    readsBody: false,
    async handle({ params, query, datasets }) {
      const input = parseInput(
        querySchema,
        Object.fromEntries(query),
        'Query must be ?from=<date|date-time>&to=<date|date-time>[&granularity=hour|day]',
      )
      const from = parseInstant(input.from)
      const to = parseInstant(input.to)
      const fields: Record<string, string> = {}
      if (from === null) fields.from = 'invalid_instant'
      if (to === null) fields.to = 'invalid_instant'
      if (from !== null && to !== null) {
        if (to <= from) fields.to = 'not_after_from'
        else if (to - from > MAX_RANGE_MS[input.granularity])
          fields.to = `range_exceeds_${input.granularity === 'hour' ? '7' : '92'}_days`
      }
      if (from === null || to === null || Object.keys(fields).length > 0) {
        throw new GatewayError(
          'validation_failed',
          'from and to must be dates or date-times with from < to within the cap (7 days hourly, 92 days daily)',
          fields,
        )
      }
      const level = datasets.require(cityTrafficFlows).level
      requireOutput(level, input.granularity === 'hour' ? 'record' : 'aggregate', 'granularity')

      const code = params.segment ?? ''
      const [segment] = await segmentQuery.execute({ code })
      if (!segment) throw new GatewayError('not_found', 'No road segment with this code')
      const rows = await flowsQuery.execute({ code, from, to })

      let points: TrafficFlowPoint[]
      if (input.granularity === 'hour') {
        points = rows.map((r) => ({
          start: formatIso(r.hourStart),
          vehicles: r.vehicles,
          avgSpeedKmh: r.avgSpeedKmh,
          hours: 1,
        }))
      } else {
        const days = new Map<number, { vehicles: number; speedTimesVehicles: number; speedSum: number; hours: number }>()
        for (const r of rows) {
          const day = startOfDay(r.hourStart)
          const d = days.get(day) ?? { vehicles: 0, speedTimesVehicles: 0, speedSum: 0, hours: 0 }
          d.vehicles += r.vehicles
          d.speedTimesVehicles += r.avgSpeedKmh * r.vehicles
          d.speedSum += r.avgSpeedKmh
          d.hours += 1
          days.set(day, d)
        }
        points = [...days.entries()].map(([day, d]) => ({
          start: formatIso(day),
          vehicles: d.vehicles,
          avgSpeedKmh: round1(d.vehicles > 0 ? d.speedTimesVehicles / d.vehicles : d.speedSum / d.hours),
          hours: d.hours,
        }))
      }
      const result: TrafficFlow = {
        segment: { code: segment.code, name: segment.name, districtCode: segment.districtCode, lanes: segment.lanes },
        granularity: input.granularity,
        from: formatIso(from),
        to: formatIso(to),
        timeZone: 'Asia/Shanghai',
        points,
      }
      return { status: 200, body: result, meters: { records: rows.length } }
    },
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10
