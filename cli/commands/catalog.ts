import type { CliCommand } from './command.ts'

// Catalog commands (issue 3): datasets:list, datasets:load, authorizations:list, authorizations:expire.
export const catalogCommands: Record<string, CliCommand> = {}
