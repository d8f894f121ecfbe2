// Barrel for the service layer; modules may also be imported directly.
export * from './errors.js';
export * from './decimal.js';
export * from './rule-sets.js';
export * from './priority.js';
export * from './eligibility.js';
export * from './deadlines.js';
export * from './reconciliation.js';
export * from './ranking.js';
export * from './names.js';
export * from './masking.js';
export * from './preset-law.js';
export * from './foreign-language.js';
