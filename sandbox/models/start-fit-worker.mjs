// Entry of the model-fitting worker thread (fit-off-thread.ts). Node 20 does not apply the parent's TypeScript loader
// to a worker's own modules, so the worker registers tsx itself before it loads the TypeScript body (as ADR 0016's
// intake worker does).
import { register } from 'tsx/esm/api'

register()
await import('./fit-worker.ts')
