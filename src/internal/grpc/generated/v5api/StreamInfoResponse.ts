// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { StreamDescriptor as _v5api_StreamDescriptor, StreamDescriptor__Output as _v5api_StreamDescriptor__Output } from '../v5api/StreamDescriptor.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamInfoResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
  'descriptor'?: (_v5api_StreamDescriptor | null);
}

export interface StreamInfoResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
  'descriptor': (_v5api_StreamDescriptor__Output | null);
}
