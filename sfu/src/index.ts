export type { RecordedSegment } from './recorder.ts';
export { type Sfu, type SfuOptions, startSfu } from './service.ts';
export { describeSegment, recordingReporter, segmentUploader } from './upload.ts';
