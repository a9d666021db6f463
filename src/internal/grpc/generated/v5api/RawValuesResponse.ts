// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { RawPoint as _v5api_RawPoint, RawPoint__Output as _v5api_RawPoint__Output } from '../v5api/RawPoint.js';
import type { Long } from '@grpc/proto-loader';

export interface RawValuesResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
  'values'?: (_v5api_RawPoint)[];
}

export interface RawValuesResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
  'values': (_v5api_RawPoint__Output)[];
}
