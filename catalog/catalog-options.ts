// The catalog's enumerations, for the UI's choices (app/ may not import the schema's values).
export {
  DATA_DOMAINS,
  DELIVERY_MODES,
  DEMAND_ITEM_STATES,
  FIELD_TYPES,
  PI_TAGS,
  PRODUCT_FORMS,
  PRODUCT_STATES,
  REFUSED_LEVELS,
  SENSITIVITY_LEVELS,
  UPDATE_FREQUENCIES,
} from '#db/schema/index.ts'
export { MAX_TERM_MONTHS } from '#catalog/authorizations/term.ts'
