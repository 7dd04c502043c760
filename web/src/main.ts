import { DefaultApolloClient } from '@vue/apollo-composable';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import 'element-plus/theme-chalk/dark/css-vars.css';
import { createApp } from 'vue';
import App from './App.vue';
import { apollo } from './apollo/instance.ts';
import { i18n } from './i18n/index.ts';
import { router } from './router.ts';
import './styles.css';

createApp(App).provide(DefaultApolloClient, apollo).use(i18n).use(router).use(ElementPlus).mount('#app');
