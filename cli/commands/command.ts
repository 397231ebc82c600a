import type { Database } from '#db/client.ts'

export interface Io {
  out: (line: string) => void
  err: (line: string) => void
  /** Raw text to stdout, resolved once the pipe has taken it (streamed output: logs:export). Absent: use `out`. */
  write?: (text: string) => Promise<void>
}

export type Flags = Record<string, string | boolean | undefined>

/** One CLI command: its flags (parsed strictly, plus --json) and what it does. Returns the exit code. */
export interface CliCommand {
  usage: string
  options: Record<string, { type: 'string' | 'boolean' }>
  /** Positional arguments allowed (e.g. `subscriptions:approve <id>`). */
  positionals?: number
  run: (db: Database, flags: Flags, io: Io, positionals: string[]) => Promise<number>
}

export function print(io: Io, flags: Flags, value: unknown, human: () => string) {
  io.out(flags.json ? JSON.stringify(value, null, 2) : human())
}
