/** Instants as the engine writes them. */
export const iso = (d: Date): string => d.toISOString();

export const maxDate = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);
