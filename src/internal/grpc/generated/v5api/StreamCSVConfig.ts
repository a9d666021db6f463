// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamCSVConfig {
  'version'?: (number | string | Long);
  'label'?: (string);
  'uuid'?: (Buffer | Uint8Array | string);
}

export interface StreamCSVConfig__Output {
  'version': (string);
  'label': (string);
  'uuid': (Buffer);
}
