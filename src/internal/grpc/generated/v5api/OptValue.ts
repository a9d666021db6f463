// Original file: proto/btrdb.proto


export interface OptValue {
  'value'?: (string);
}

export interface OptValue__Output {
  'value': (string);
}
