/**
 * A platform over an existing table, for tests that compose one feature with their own adapters:
 * recorders stand in for the bus and Step Functions unless a test gives its own; templates stored
 * without a compiled form are compiled in process.
 */
import { inProcessTemplateCompiler } from '../../functions/api/template-compiler';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { compose, type Overrides, type Platform } from '../../functions/platform/compose';
import { RecordingSequenceControl, RecordingStarter } from '../../functions/platform/recorders';
import type { Table } from '../../functions/platform/store/table';

export function testPlatform(table: Table, overrides: Overrides = {}): Platform {
  const platform: Platform = compose(
    { tableName: table.tableName },
    {},
    {
      publisher: new RecordingPublisher(),
      control: new RecordingSequenceControl(),
      starter: new RecordingStarter(),
      templateCompiler: inProcessTemplateCompiler(() => platform),
      ...overrides,
      table,
    },
  );
  return platform;
}
