// Original file: proto/btrdb.proto


export interface Role {
  'name'?: (string);
}

export interface Role__Output {
  'name': (string);
}
