import type { CliCommand } from './command.ts'
import { coreCommands } from './core.ts'
import { catalogCommands } from './catalog.ts'
import { gatewayCommands } from './gateway.ts'
import { billingCommands } from './billing.ts'
import { identityCommands } from './identity.ts'
import { cryptoCommands } from './crypto.ts'
import { logsCommands } from './logs.ts'
import { emergencyCommands } from './emergency.ts'
import { creditCommands } from './credit.ts'
import { retentionCommands } from './retention.ts'
import { casesCommands } from './cases.ts'
import { supervisionFeedCommands } from './supervision-feed.ts'
import { exitsCommands } from './exits.ts'
import { evaluationsCommands } from './evaluations.ts'
import { gradingCommands } from './grading.ts'
import { applicationsCommands } from './applications.ts'
import { agreementsCommands } from './agreements.ts'
import { plansCommands } from './plans.ts'
import { reportsCommands } from './reports.ts'
import { disclosureCommands } from './disclosure.ts'

/** Every command of `npm run platform`; each area adds its own in its own file. */
export const COMMANDS: Record<string, CliCommand> = {
  ...coreCommands,
  ...catalogCommands,
  ...gatewayCommands,
  ...billingCommands,
  ...identityCommands,
  ...cryptoCommands,
  ...logsCommands,
  ...emergencyCommands,
  ...creditCommands,
  ...retentionCommands,
  ...casesCommands,
  ...supervisionFeedCommands,
  ...exitsCommands,
  ...evaluationsCommands,
  ...gradingCommands,
  ...applicationsCommands,
  ...agreementsCommands,
  ...plansCommands,
  ...reportsCommands,
  ...disclosureCommands,
}
