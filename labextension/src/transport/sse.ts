/** Incremental parser of a `text/event-stream` body: feed text chunks, get each event's `data` payload. */
export class SSEParser {
  private buffer = '';

  constructor(private readonly onData: (data: string) => void) {}

  feed(chunk: string): void {
    this.buffer += chunk.replace(/\r\n/g, '\n');
    let cut = this.buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const data = block
        .split('\n')
        .filter(line => line.startsWith('data:'))
        .map(line => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) {
        this.onData(data);
      }
      cut = this.buffer.indexOf('\n\n');
    }
  }

  /** Flush a last event that had no blank line after it. */
  end(): void {
    if (this.buffer.trim()) {
      this.feed('\n\n');
    }
  }
}
