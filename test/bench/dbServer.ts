/**
 * The bench's local DynamoDB in its own process: an in-memory dynalite with the seven tables, whose
 * endpoint is printed on the first line of stdout; it stops when its stdin closes. Run this way, the
 * database's CPU is not counted in the pipeline's steps (as in AWS, where DynamoDB is a service).
 */
import { startLocalDatabase } from '../../shared/local/dynaliteServer';

async function main() {
  const db = await startLocalDatabase();
  process.stdout.write(`${db.endpoint}\n`);
  process.stdin.on('end', () => {
    void db.close().then(() => process.exit(0));
  });
  process.stdin.resume();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
