export * from './actors.ts';
export * from './audit.ts';
export * from './bids.ts';
export * from './evaluations.ts';
export * from './hall.ts';
export * from './media.ts';
export * from './tenders.ts';
