// node-forge's modules register themselves on one shared object; they have no typings of their own.
declare module 'node-forge/lib/*';
