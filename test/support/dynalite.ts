// dynalite with the account store's table: shared with local mode.
export * from '../../lib/local/dynamo';
