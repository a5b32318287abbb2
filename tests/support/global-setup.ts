import { devPkiIsCurrent, generateDevPki } from '../../certs/generate.ts';

/** Makes sure the dev PKI exists (and its CRLs are current) before any test reads it. */
export default function setup(): void {
  if (!devPkiIsCurrent()) generateDevPki();
}
