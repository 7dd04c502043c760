// Dates, durations and countdowns in the UI's language.
import dayjs from 'dayjs';

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—';
}

export function formatTime(iso: string): string {
  const d = dayjs(iso);
  return d.isSame(dayjs(), 'day') ? d.format('HH:mm') : d.isSame(dayjs(), 'year') ? d.format('MM-DD HH:mm') : d.format('YYYY-MM-DD HH:mm');
}

/** A duration in seconds as "2天3小时" / "2d 3h": the two largest units. */
export function formatDuration(seconds: number | null | undefined, locale: string): string {
  if (seconds == null) return '—';
  const s = Math.max(0, Math.round(Math.abs(seconds)));
  const zh = locale !== 'en';
  const units: [number, string][] = [
    [Math.floor(s / 86400), zh ? '天' : 'd'],
    [Math.floor((s % 86400) / 3600), zh ? '小时' : 'h'],
    [Math.floor((s % 3600) / 60), zh ? '分钟' : 'm'],
    [s % 60, zh ? '秒' : 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first < 0) return zh ? '0秒' : '0s';
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => (zh ? `${n}${u}` : `${n}${u}`))
    .join(zh ? '' : ' ');
}

/** A countdown as m:ss or h:mm:ss. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
