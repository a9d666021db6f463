// Original file: proto/btrdb.proto

import type { Member as _v5api_Member, Member__Output as _v5api_Member__Output } from '../v5api/Member.js';
import type { Long } from '@grpc/proto-loader';

export interface Mash {
  'revision'?: (number | string | Long);
  'leader'?: (string);
  'leaderRevision'?: (number | string | Long);
  'totalWeight'?: (number | string | Long);
  'healthy'?: (boolean);
  'unmapped'?: (number | string);
  'members'?: (_v5api_Member)[];
}

export interface Mash__Output {
  'revision': (string);
  'leader': (string);
  'leaderRevision': (string);
  'totalWeight': (string);
  'healthy': (boolean);
  'unmapped': (number);
  'members': (_v5api_Member__Output)[];
}
