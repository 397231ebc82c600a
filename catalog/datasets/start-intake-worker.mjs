// Entry of the intake worker thread (scan-file-in-worker.ts). Node 20 does not
// apply the parent's TypeScript loader to a worker's own modules, so the worker
// registers tsx itself before it loads the TypeScript body.
import { register } from 'tsx/esm/api'

register()
await import('./intake-worker.ts')
