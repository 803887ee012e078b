/**
 * The account view's read (GET /accounts/{id}): the profile, the committee, the enrollments and the
 * score of one account in ONE query on its partition, instead of a get and a query per kind. The
 * partition's sort keys order CONTACT# < ENROLLMENT# < PROFILE < SCORE < TASK# < TOUCH#, so every
 * item before `TASK#` is one of the four (docs/architecture.md "Data model", "Access patterns").
 */
import { Account, Contact, Enrollment } from '../../kernel/model';
import { decode, Repository } from './codec';
import * as keys from './keys';
import { SK } from './keys';
import { decodeScoreItem, type StoredScore } from './scores';
import { queryAll } from './table';

export interface AccountWithCommittee {
  account: Account;
  /** By contact id. */
  contacts: Contact[];
  /** By campaign id. */
  enrollments: Enrollment[];
  /** Undefined before any engagement. */
  score?: StoredScore;
}

/** The most items the read takes: a committee and its enrollments are small (both are bounded at 1,000 elsewhere). */
const MAX_ITEMS = 2_000;

export class AccountViewReader extends Repository {
  /** One account with its committee, enrollments and score (strongly consistent); undefined when there is no profile. */
  async get(accountId: string): Promise<AccountWithCommittee | undefined> {
    const items = await queryAll(
      this.table,
      { pk: keys.accountPartition(accountId), sk: { lt: SK.taskPrefix }, consistent: true },
      { maxItems: MAX_ITEMS },
    );
    let account: Account | undefined;
    let score: StoredScore | undefined;
    const contacts: Contact[] = [];
    const enrollments: Enrollment[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      if (sk === SK.profile) account = decode(Account, item);
      else if (sk === SK.score) score = decodeScoreItem(item);
      else if (sk.startsWith(SK.contactPrefix)) contacts.push(decode(Contact, item));
      else if (sk.startsWith(SK.enrollmentPrefix)) enrollments.push(decode(Enrollment, item));
    }
    return account ? { account, contacts, enrollments, score } : undefined;
  }
}
