/**
 * A QR code drawn as inline SVG from the `qrcode` package's module matrix: no
 * image data URL and no markup string, so it needs nothing from the CSP beyond
 * what the app already allows.
 */
import { useMemo } from 'react';
import { create } from 'qrcode';
import { log } from '../../log';

interface QrCodeProps {
  text: string;
  /** What the code carries, for people who cannot see it. */
  label: string;
  size?: number;
}

const QUIET_ZONE = 4;

export function QrCode({ text, label, size = 184 }: QrCodeProps) {
  const drawn = useMemo(() => {
    try {
      const { modules } = create(text, { errorCorrectionLevel: 'M' });
      const n = modules.size;
      let path = '';
      for (let row = 0; row < n; row += 1) {
        for (let col = 0; col < n; col += 1) {
          if (modules.get(row, col)) path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
        }
      }
      return { path, extent: n + QUIET_ZONE * 2 };
    } catch (error) {
      log.child('ui.qr').warn('could not draw a QR code; the text beside it still works', error);
      return null;
    }
  }, [text]);
  if (drawn === null) return null;
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
