// Draws Parley's app icon and tray icons and writes them as PNG (and the app icon
// also as ICO), with nothing but node:zlib: shapes are inside-tests, anti-aliased by
// 4×4 supersampling. Run: node build/generateIcons.mjs — the outputs are committed.
//
//   build/icon.png              512×512 app icon (electron-builder derives .icns from it)
//   build/icon.ico              16…256 px, PNG-compressed entries (Windows Vista and later)
//   build/tray/<state>.png      16×16 tray icons, and <state>@2x.png at 32×32 for HiDPI
import { Buffer } from 'node:buffer';
import { writeFileSync, mkdirSync } from 'node:fs';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

// ─── PNG ────────────────────────────────────────────────────────────────────

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** rgba: Uint8Array of size*size*4, straight (not premultiplied) alpha. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function encodeIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header[entry] = size >= 256 ? 0 : size;
    header[entry + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, entry + 4); // planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.png)]);
}

// ─── drawing: layers of (inside-test, colour) in unit coordinates ───────────

const hex = (h, a = 1) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];

function render(size, layers, samples = 4) {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0; // premultiplied accumulation
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const layer of layers) {
            if (!layer.inside(x, y)) continue;
            const [lr, lg, lb, la] = typeof layer.color === 'function' ? layer.color(x, y) : layer.color;
            // "over" compositing, premultiplied
            cr = lr * la + cr * (1 - la);
            cg = lg * la + cg * (1 - la);
            cb = lb * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr; g += cg; b += cb; a += ca;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      out[i] = alpha > 0 ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha > 0 ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha > 0 ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const ellipse = (cx, cy, rx, ry) => (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const circle = (cx, cy, r) => ellipse(cx, cy, r, r);

function triangle([ax, ay], [bx, by], [cx, cy]) {
  const side = (x1, y1, x2, y2, x, y) => (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

function roundedSquare(inset, radius) {
  return (x, y) => {
    const lo = inset + radius;
    const hi = 1 - inset - radius;
    const qx = Math.max(lo - x, 0, x - hi);
    const qy = Math.max(lo - y, 0, y - hi);
    return x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && qx * qx + qy * qy <= radius * radius;
  };
}

function segment(ax, ay, bx, by, r) {
  return (x, y) => {
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    const ex = x - (ax + t * dx), ey = y - (ay + t * dy);
    return ex * ex + ey * ey <= r * r;
  };
}

const union = (...tests) => (x, y) => tests.some((t) => t(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);
/** The shape grown by `d` (union of 16 shifted copies): an outline that works at 16 px. */
const grow = (test, d) => {
  const shifts = Array.from({ length: 16 }, (_, i) => [Math.cos((i * Math.PI) / 8) * d, Math.sin((i * Math.PI) / 8) * d]);
  return (x, y) => test(x, y) || shifts.some(([sx, sy]) => test(x - sx, y - sy));
};

/** A speech bubble: the mark of a conversation ("parley"). */
function bubble(cx, cy, rx, ry) {
  return union(
    ellipse(cx, cy, rx, ry),
    triangle([cx - rx * 0.62, cy + ry * 0.55], [cx - rx * 0.05, cy + ry * 0.9], [cx - rx * 0.85, cy + ry * 1.45]),
  );
}

// ─── the app icon ───────────────────────────────────────────────────────────

function appIcon(size) {
  const top = hex('#4f46e5');
  const bottom = hex('#0d9488');
  const gradient = (x, y) => {
    const t = Math.min(1, Math.max(0, (x + y) / 2));
    return [0, 1, 2].map((k) => top[k] + (bottom[k] - top[k]) * t).concat(1);
  };
  const speech = bubble(0.5, 0.46, 0.3, 0.24);
  const dots = union(circle(0.38, 0.46, 0.045), circle(0.5, 0.46, 0.045), circle(0.62, 0.46, 0.045));
  return render(size, [
    { inside: roundedSquare(0.06, 0.2), color: gradient },
    { inside: minus(speech, dots), color: hex('#ffffff') },
  ]);
}

// ─── tray icons: one colour per state, readable on light and dark panels ────

function trayIcon(size, state) {
  const shapes = {
    idle: { fill: '#22c55e', body: bubble(0.5, 0.44, 0.4, 0.32) },
    ringing: { fill: '#f59e0b', body: bubble(0.5, 0.44, 0.4, 0.32), mark: union(circle(0.5, 0.44, 0.14)) },
    'in-call': { fill: '#3b82f6', body: bubble(0.5, 0.44, 0.4, 0.32), mark: union(circle(0.33, 0.44, 0.07), circle(0.5, 0.44, 0.07), circle(0.67, 0.44, 0.07)) },
    muted: { fill: '#ef4444', body: bubble(0.5, 0.44, 0.4, 0.32), mark: segment(0.25, 0.2, 0.75, 0.68, 0.07) },
    dnd: { fill: '#dc2626', body: circle(0.5, 0.5, 0.44), mark: segment(0.27, 0.5, 0.73, 0.5, 0.085) },
    offline: { fill: '#9ca3af', body: bubble(0.5, 0.44, 0.4, 0.32) },
  }[state];
  const outline = 1 / size; // one device pixel
  const layers = [
    { inside: grow(shapes.body, outline), color: hex('#111827', 0.85) },
    { inside: shapes.body, color: hex(shapes.fill) },
  ];
  if (shapes.mark) layers.push({ inside: (x, y) => shapes.body(x, y) && shapes.mark(x, y), color: hex('#ffffff') });
  return render(size, layers);
}

export const TRAY_STATES = ['idle', 'ringing', 'in-call', 'muted', 'dnd', 'offline'];

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  process.stdout.write(`wrote ${path} (${bytes.length} bytes)\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  write(join(here, 'icon.png'), encodePng(512, appIcon(512)));
  write(
    join(here, 'icon.ico'),
    encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: encodePng(size, appIcon(size)) }))),
  );
  for (const state of TRAY_STATES) {
    write(join(here, 'tray', `${state}.png`), encodePng(16, trayIcon(16, state)));
    write(join(here, 'tray', `${state}@2x.png`), encodePng(32, trayIcon(32, state)));
  }
}
