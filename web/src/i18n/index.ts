import { createI18n } from 'vue-i18n';
import en from './en.ts';
import zhCN from './zh-CN.ts';

const saved = localStorage.getItem('gongdan.locale');

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

export function setLocale(locale: 'zh-CN' | 'en') {
  i18n.global.locale.value = locale;
  localStorage.setItem('gongdan.locale', locale);
  document.documentElement.lang = locale;
}
