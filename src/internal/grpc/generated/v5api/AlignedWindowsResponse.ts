// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { StatPoint as _v5api_StatPoint, StatPoint__Output as _v5api_StatPoint__Output } from '../v5api/StatPoint.js';
import type { Long } from '@grpc/proto-loader';

export interface AlignedWindowsResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
  'values'?: (_v5api_StatPoint)[];
}

export interface AlignedWindowsResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
  'values': (_v5api_StatPoint__Output)[];
}
