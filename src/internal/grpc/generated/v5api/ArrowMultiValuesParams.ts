// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface ArrowMultiValuesParams {
  'uuid'?: (Buffer | Uint8Array | string)[];
  'versionMajor'?: (number | string | Long)[];
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'snapPeriodNs'?: (number | string | Long);
  'templateBytes'?: (Buffer | Uint8Array | string);
}

export interface ArrowMultiValuesParams__Output {
  'uuid': (Buffer)[];
  'versionMajor': (string)[];
  'start': (string);
  'end': (string);
  'snapPeriodNs': (string);
  'templateBytes': (Buffer);
}
