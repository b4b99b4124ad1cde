// The hello widget's browser component: its greeting and counter, in the
// widget kit of the installed pages.
import { el } from '/static/js/widget-kit.js';

export function mount(element) {
  const root = el('div', 'pantau-hello');
  element.append(root);
  return {
    update(data) { root.textContent = data ? `${data.greeting} ${data.count}` : ''; },
    destroy() { root.remove(); },
  };
}
