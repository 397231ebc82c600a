/** The catalog product that exposes the sandbox (form `component`; ADR 0038): its datasets are what jobs may read. */
export const DATA_SANDBOX_PRODUCT = 'data-sandbox'
