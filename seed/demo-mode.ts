// What a process in demo mode (DEMO_MODE=true) loads, in one import: the install's generated secrets and the demo
// city seeded at its first start. The server and the CLI import it dynamically, and only in demo mode.
export { DEMO_STATE_FILE, dataDirectoryOf, loadOrCreateDemoState, withDemoSecrets } from './demo-state.ts'
export { ensureDemoCity, findExampleEnterprise, printDemoAccess, printDemoPointer } from './ensure-demo-city.ts'
