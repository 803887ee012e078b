/**
 * Always-on programs: a partition each, listed under `PROGRAMS` (a small collection). A program is
 * written whole by `PUT /programs/{id}` (versioned: concurrent writes all land, each counted), and
 * its status and entry count are updated in place.
 */
import type * as z from 'zod';
import { Program } from '../../kernel/model';
import { allOf, decode, encode, Repository } from './codec';
import * as keys from './keys';
import { updateVersioned } from './table';

const programItem = (p: Program) => encode(p, keys.programItem(p.programId), 'program');

export class ProgramRepository extends Repository {
  async get(programId: string): Promise<Program | undefined> {
    return this.getParsed(keys.program(programId), Program);
  }

  /**
   * Creates or replaces the program's definition, keeping what the product owns (its entries, its
   * creation time); `version` counts every write. Returns the program as stored and whether it is new.
   */
  async put(
    programId: string,
    definition: Omit<
      z.input<typeof Program>,
      'programId' | 'version' | 'createdAt' | 'updatedAt' | 'entries'
    >,
  ): Promise<{ program: Program; created: boolean }> {
    const now = this.isoNow();
    const result = await updateVersioned(this.table, keys.program(programId), (current) => {
      const previous = current ? decode(Program, current) : undefined;
      return programItem(
        Program.parse({
          ...definition,
          programId,
          entries: previous?.entries ?? 0,
          version: (previous?.version ?? 0) + 1,
          createdAt: previous?.createdAt ?? now,
          updatedAt: now,
        }),
      );
    });
    return { program: decode(Program, result.item!), created: result.created };
  }

  async update(programId: string, mutate: (p: Program) => Program | undefined): Promise<Program | undefined> {
    return this.updateExisting(keys.program(programId), Program, programItem, mutate);
  }

  /** Every program (tens, perhaps hundreds). */
  async listAll(): Promise<Program[]> {
    return allOf(this.table, keys.programList(), Program, 10_000, { limit: 100 });
  }
}
