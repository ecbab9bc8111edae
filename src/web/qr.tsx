// A QR code as inline SVG elements, built here from uqr's module matrix: no
// image address (remote or data:), no markup string and no style attribute,
// so nothing the pages' CSP (default-src 'self') would have to allow.
import { encode } from 'uqr';

/** `text` as a QR code; `label` is what a screen reader says instead (the same text is on the page). */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, data } = encode(text, { ecc: 'M', border: 2 });
  // One path: a 1×1 square per dark module.
  const path = data.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [`M${x} ${y}h1v1h-1z`] : []))).join('');
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
