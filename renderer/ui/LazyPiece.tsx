/**
 * A piece of the UI loaded when first shown (React.lazy: a chunk of its own, not in the
 * JavaScript loaded at start, issue 16.8). Nothing shows while it loads. If it fails
 * (its chunk did not load, or it threw while rendering), the rest of the window goes on:
 * the failure is logged and handed to `onFailed`, which tells the person and closes it.
 */
import { Component, Suspense, type ErrorInfo, type ReactNode } from 'react';
import { log } from '../log';

const logger = log.child('ui.lazy');

interface Props {
  /** What it is, for the log: "the Add a contact dialog". */
  what: string;
  onFailed(error: unknown): void;
  children: ReactNode;
}

class LoadBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    logger.error(`${this.props.what} could not be shown${info.componentStack ? ` (in ${info.componentStack.trim().split('\n')[0]})` : ''}`, error);
    this.props.onFailed(error);
  }

  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}

export function LazyPiece({ what, onFailed, children }: Props) {
  return (
    <LoadBoundary what={what} onFailed={onFailed}>
      <Suspense fallback={null}>{children}</Suspense>
    </LoadBoundary>
  );
}
