// Relay global ids are base64 of "Type:rawId". The API speaks global ids everywhere except
// inside JSON payloads (USER custom field values, timeline event data), which hold raw
// ids; these two helpers translate between them on the client.

export function rawId(globalId: string): string {
  try {
    const decoded = atob(globalId);
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : globalId;
  } catch {
    return globalId;
  }
}

export function toGlobalId(type: string, raw: string): string {
  return btoa(`${type}:${raw}`);
}
