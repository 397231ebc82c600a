import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// A gateway in a process of its own over a test's database (bench/gateway-target.ts), for the tests that prove a
// change made in one process is seen by the others within 1 s.

const TARGET = fileURLToPath(new URL('../../bench/gateway-target.ts', import.meta.url))

export interface GatewayProcess {
  process: ChildProcess
  url: string
}

export function startGatewayProcess(dbUrl: string): Promise<GatewayProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(TARGET, [dbUrl], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)))
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready') resolve({ process: child, url: `http://127.0.0.1:${m.port}` })
    })
  })
}

export function stopGatewayProcess(child: GatewayProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) return resolve()
    child.process.removeAllListeners('exit')
    child.process.once('exit', () => resolve())
    child.process.send({ type: 'stop' })
  })
}
