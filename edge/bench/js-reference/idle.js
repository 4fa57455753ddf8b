// An idle second Worker beside the JS reference: `wrangler dev` runs the
// Rust front and back office as two Workers in one process, and in that
// mode it carries the Workers' logs another way (cheaper than a lone
// Worker's); the reference runs in the same mode, so the ratio compares the
// Workers, not wrangler's two modes. It is never called.
export default {
  async fetch() {
    return new Response(null, { status: 404 });
  },
};
