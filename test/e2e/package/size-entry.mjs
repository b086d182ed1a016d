/** What a browser app that subscribes imports: its bundle is the size reported by the test. */
export { connect } from "tickflare/client";
