/** Venue names and the media permissions table: one way to build and read a venue, one table of who may do what where. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRoom, parseVenue, roomOf, type VenuePlace, venueOf } from './media.ts';
import { simulcastEncodings } from './media-client.ts';
import { mediaPermissions, roles } from './roles.ts';

const tenderId = randomUUID();
const evaluationId = randomUUID();
const places: VenuePlace[] = [
  { kind: 'hall', tenderId },
  { kind: 'main', evaluationId },
  { kind: 'sub', evaluationId, city: 'shanghai' },
];

describe('venues', () => {
  it('read back what they were built from, and name their room', () => {
    for (const place of places) expect(parseVenue(venueOf(place))).toEqual(place);
    expect(roomOf(venueOf(places[0]!))).toBe(`hall:${tenderId}`);
    expect(roomOf(venueOf(places[2]!))).toBe(`eval:${evaluationId}`);
    expect(parseRoom(roomOf(venueOf(places[1]!)))).toEqual({ kind: 'eval', id: evaluationId });
  });

  it('refuse anything else', () => {
    for (const bad of [
      'hall:x',
      `eval:${evaluationId}`,
      `eval:${evaluationId}:sub:`,
      `eval:${evaluationId}:sub:Bad City`,
      `hall:${tenderId}:main`,
      '',
    ])
      expect(parseVenue(bad)).toBeNull();
    expect(parseRoom(`eval:${evaluationId}:main`)).toBeNull();
  });

  it('give each role its permissions by kind of venue', () => {
    const table = Object.fromEntries(
      roles.map((role) => [role, places.map((place) => mediaPermissions(role, venueOf(place)))]),
    );
    const present = { publish: true, consume: true, hidden: false };
    const watch = { publish: false, consume: true, hidden: false };
    const oversee = { publish: false, consume: true, hidden: true };
    expect(table).toEqual({
      host: [present, null, null],
      bidder: [watch, null, null],
      tenderee: [watch, null, null],
      expert: [null, present, present],
      supervisor: [oversee, oversee, oversee],
      custodian: [null, null, null],
      admin: [null, null, null],
    });
    expect(mediaPermissions('host', 'not a venue')).toBeNull();
  });
});

describe('simulcast layers', () => {
  it('start at the camera’s own size, as many as Chromium sends for it', () => {
    const sizes = (width: number, height: number) =>
      simulcastEncodings(width, height).map(
        (e) => `${width / (e.scaleResolutionDownBy ?? 1)}x${height / (e.scaleResolutionDownBy ?? 1)}`,
      );
    expect(sizes(640, 360)).toEqual(['320x180', '640x360']);
    expect(sizes(1280, 720)).toEqual(['320x180', '640x360', '1280x720']);
    expect(sizes(320, 240)).toEqual(['320x240']);
    expect(simulcastEncodings(640, 360).map((e) => e.rid)).toEqual(['r0', 'r1']);
    // A track that does not say its size is one layer at its own size.
    expect(simulcastEncodings(0, 0)).toEqual([{ maxBitrate: 900_000 }]);
  });
});
