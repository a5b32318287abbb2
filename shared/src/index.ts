export * from './audit.ts';
export * from './auth.ts';
export * from './bid-format.ts';
export * from './enums.ts';
export * from './errors.ts';
export * from './roles.ts';
export * from './summary-fields.ts';
export * from './tender.ts';
