/**
 * The single DynamoDB table (docs/architecture.md "Data model"): one account's state is one partition.
 *
 * Encryption: a customer-managed KMS key with yearly rotation rather than the AWS-owned or
 * AWS-managed key. The table holds personal data (committee members' names, emails, phones and
 * postal addresses); with our own key the key policy decides who can decrypt, every decrypt is in
 * CloudTrail under this key, and disabling the key makes a stolen backup or export unreadable.
 * The cost is one key per stage ($1/month) plus KMS requests, which DynamoDB caches per connection.
 * Functions get decrypt/encrypt on this key through the table's `grant*` methods.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  INDEXES,
  PARTITION_KEY,
  SORT_KEY,
  TTL_ATTRIBUTE,
} from '../../../functions/platform/store/table-definition';

/** Index names and key attributes: the repository's own definition, so the two cannot drift. */
export const TABLE_KEYS = {
  partitionKey: PARTITION_KEY,
  sortKey: SORT_KEY,
  ttl: TTL_ATTRIBUTE,
  gsi1: { indexName: 'gsi1', ...INDEXES.gsi1 },
  gsi2: { indexName: 'gsi2', ...INDEXES.gsi2 },
  gsi3: { indexName: 'gsi3', ...INDEXES.gsi3 },
} as const;

export interface AccountStoreProps {
  /**
   * Keep the table and its key when the stack is deleted, and turn on deletion protection.
   * Only a throwaway dev stage should set this to false.
   */
  readonly retain: boolean;
}

export class AccountStore extends Construct {
  public readonly table: Table;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: AccountStoreProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the ABM account table (personal data of buying-committee members)',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.ttl,
      deletionProtection: props.retain,
      removalPolicy,
    });

    // DynamoDB creates one GSI per table update ("You can create or delete only one global
    // secondary index per UpdateTable operation",
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html): gsi3
    // (every task of a status, GET /tasks without an owner) comes alone in its deployment.
    for (const gsi of [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2, TABLE_KEYS.gsi3]) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
