/** Parley's mark: two speech bubbles, drawn inline so no asset is needed. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect x="1" y="3" width="21" height="17" rx="6" className="logo__back" />
      <path d="M6 20v6l6-6z" className="logo__back" />
      <rect x="10" y="10" width="21" height="16" rx="6" className="logo__front" />
      <path d="M26 26v5l-5-5z" className="logo__front" />
      <circle cx="16" cy="18" r="1.6" className="logo__dot" />
      <circle cx="20.5" cy="18" r="1.6" className="logo__dot" />
      <circle cx="25" cy="18" r="1.6" className="logo__dot" />
    </svg>
  );
}
