/** Who the credentials act as: the account id (`iam-policy` fills its ARNs with it). */
import type { Ops } from './context';

export const callerAccount = (ops: Ops): Promise<string> => ops.identity.account();
