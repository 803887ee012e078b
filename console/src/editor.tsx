/** A code field with line numbers and the lines that have an error marked (no editor library). */
import { useRef } from 'preact/hooks';

export function CodeEditor(props: {
  label: string;
  value: string;
  onChange(v: string): void;
  errorLines?: number[];
  rows?: number;
  describedBy?: string;
}) {
  const lines = props.value.split('\n').length;
  const gutter = useRef<HTMLDivElement>(null);
  const marked = new Set(props.errorLines ?? []);
  return (
    <div class="editor">
      <div class="gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: Math.max(lines, props.rows ?? 18) }, (_, i) => (
          <div key={i} class={marked.has(i + 1) ? 'err' : undefined}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        class="code"
        aria-label={props.label}
        aria-describedby={props.describedBy}
        aria-invalid={marked.size > 0}
        spellcheck={false}
        value={props.value}
        rows={props.rows ?? 18}
        onInput={(e) => props.onChange(e.currentTarget.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}
