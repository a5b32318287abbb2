export * from './actors.ts';
export * from './audit.ts';
export * from './bids.ts';
export * from './tenders.ts';
