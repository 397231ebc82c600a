import type { CliCommand } from './command.ts'

// Gateway commands (issue 4): subscriptions:create|approve|list, keys:revoke, ...
export const gatewayCommands: Record<string, CliCommand> = {}
