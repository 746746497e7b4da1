/** Where the chosen theme is kept, shared by the toggle and the boot script. */
export const THEME_KEY = "inkstone-theme";

/** Applied before first paint (inline in <head>) so a stored theme never flashes. */
export const themeBootScript = `try{var t=localStorage.getItem("${THEME_KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
