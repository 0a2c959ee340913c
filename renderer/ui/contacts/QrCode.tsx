/**
 * A QR code drawn as inline SVG from the `qrcode` package's module matrix: no
 * image data URL and no markup string, so it needs nothing from the CSP beyond
 * what the app already allows. The package is fetched the first time a code is
 * shown (its own chunk), so the first page load does not carry it.
 */
import { useEffect, useState } from 'react';
import { log } from '../../log';

interface QrCodeProps {
  text: string;
  /** What the code carries, for people who cannot see it. */
  label: string;
  size?: number;
}

const QUIET_ZONE = 4;

interface Drawn {
  text: string;
  path: string;
  extent: number;
}

async function draw(text: string): Promise<Drawn> {
  const { create } = await import('qrcode');
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let path = '';
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) {
      if (modules.get(row, col)) path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
    }
  }
  return { text, path, extent: n + QUIET_ZONE * 2 };
}

export function QrCode({ text, label, size = 184 }: QrCodeProps) {
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  useEffect(() => {
    let current = true;
    draw(text).then(
      (result) => {
        if (current) setDrawn(result);
      },
      (error: unknown) => log.child('ui.qr').warn('could not draw a QR code; the text beside it still works', error),
    );
    return () => {
      current = false;
    };
  }, [text]);
  // Until the code for this text is drawn (or when it cannot be), the text beside it does the job.
  if (drawn === null || drawn.text !== text) return null;
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${drawn.extent} ${drawn.extent}`}
      shapeRendering="crispEdges"
    >
      <rect width={drawn.extent} height={drawn.extent} fill="#ffffff" />
      <path d={drawn.path} fill="#000000" />
    </svg>
  );
}
