// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { ChangedRange as _v5api_ChangedRange, ChangedRange__Output as _v5api_ChangedRange__Output } from '../v5api/ChangedRange.js';
import type { Long } from '@grpc/proto-loader';

export interface ChangesResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
  'ranges'?: (_v5api_ChangedRange)[];
}

export interface ChangesResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
  'ranges': (_v5api_ChangedRange__Output)[];
}
