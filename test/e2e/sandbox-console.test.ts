/**
 * The sandbox console in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the bot started as `npm start` starts it without SLACK_BOT_TOKEN:
 * a person fires an alert, acknowledges it, declares an incident through the form and finds its
 * channel. Only loopback is reached. A screenshot is saved to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results');
const found = existsSync(CHROMIUM);
if (!found && process.env.CI) {
  throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
}
if (!found) console.warn(`sandbox console e2e skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!found)('the sandbox console in a browser', () => {
  let dir: string;
  let bot: BotProcess;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'firebreak-console-'));
    bot = await startBotProcess({ DATA_DIR: dir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root in CI containers cannot use Chromium's own sandbox; the page is our own, on loopback.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The form refused with 422 (a required field) is a test step, not a fault.
      const refusedForm = message.text().includes('status of 422');
      if (message.type() === 'error' && !refusedForm) problems.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
    // The page is reached as people reach it, by name: the console answers on localhost only.
    await page.goto(`${bot.url.replace('127.0.0.1', 'localhost')}/sandbox`);
    await page.getByText('Live').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const incidentMessage = () => page.locator('#messages > li.message').first();
  /** Clicks Fire on the sample alert whose label has `label`. */
  const fire = (label: string) =>
    page.locator('li.sample', { hasText: label }).getByRole('button', { name: 'Fire' }).click();

  it('fires a sample alert and shows its message, drawn from Block Kit', async () => {
    await fire('Checkout latency');

    const message = incidentMessage();
    await expect.poll(() => message.locator('h3').first().textContent()).toContain('INC-1');
    await expect.poll(() => message.textContent()).toContain('HighRequestLatency');
    expect(await message.locator('.bk-field').count()).toBeGreaterThanOrEqual(4);
    // The mrkdwn links of the alert are links; the emoji is a picture with a name.
    expect(await message.getByRole('link', { name: 'Runbook' }).getAttribute('href')).toMatch(
      /^https?:/,
    );
    expect(await message.getByRole('img', { name: 'red circle' }).count()).toBe(1);
  });

  it('acknowledges from the keyboard and shows the message as Slack updates it', async () => {
    const acknowledge = incidentMessage().getByRole('button', { name: 'Acknowledge' });
    await acknowledge.focus();
    await page.keyboard.press('Enter');

    const message = incidentMessage();
    await expect.poll(() => message.locator('h3').first().textContent()).toContain('ACKNOWLEDGED');
    await expect.poll(() => message.textContent()).toContain('Acknowledged by @Pat Example');
    expect(await message.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    // The button is gone with the update: the focus stays on its message, not lost to the page.
    expect(await page.evaluate('document.activeElement.matches("li.message")')).toBe(true);
  });

  it('closes a message’s menu with Escape, giving the focus back to its button', async () => {
    const menuButton = incidentMessage().getByRole('button', {
      name: 'More actions for this message',
    });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate('document.activeElement.textContent'))
      .toBe('Reply in thread');
    await page.keyboard.press('Escape');
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(
      'More actions for this message',
    );
  });

  it('declares an incident through the modal, refusing an empty title first', async () => {
    await incidentMessage().getByRole('button', { name: 'Start incident' }).click();
    const dialog = page.getByRole('dialog', { name: 'Declare an incident' });
    await dialog.waitFor();
    const title = dialog.getByLabel('Title');
    expect(await title.inputValue()).toContain('HighRequestLatency');

    await title.fill('');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toContain('required');
    expect(await title.getAttribute('aria-invalid')).toBe('true');

    await title.fill('Checkout slow for EU cards');
    const severity = dialog.getByLabel('Severity');
    const sev2 = await severity.locator('option', { hasText: 'SEV2' }).getAttribute('value');
    await severity.selectOption(sev2 ?? '');
    await dialog.getByLabel('What is happening (optional)').fill('p99 above 2 s since 02:41');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const channel = page.getByRole('button', { name: /^# inc-.*checkout-slow-for-eu-cards/ });
    await channel.waitFor();
    await channel.click();
    await expect.poll(() => page.locator('#channel-name').textContent()).toContain('#inc-');
    await expect
      .poll(() => page.locator('#messages').textContent())
      .toContain('Checkout slow for EU cards');
    await expect.poll(() => page.locator('#channel-topic').textContent()).toContain('SEV2');

    // The bookmark to the alert's message is a Slack permalink: here it opens #alerts.
    await page.getByRole('link', { name: /Alert message \(INC-1\)/ }).click();
    await expect.poll(() => page.locator('#channel-name').textContent()).toBe('#alerts');
    await page.getByRole('button', { name: /^# inc-/ }).click();

    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, 'sandbox-console.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
  });

  it('runs /incident commands as the chosen person and shows the reply only to them', async () => {
    await page.getByRole('button', { name: /^# alerts/ }).click();
    await page.getByLabel('Acting as').selectOption({ label: 'Sam Example (@sam)' });
    const box = page.getByLabel('Message #alerts');
    await box.fill('/incident note INC-1 rolled back checkout-api');
    await box.press('Enter');

    const reply = page.locator('li.ephemeral', { hasText: 'note INC-1' }).last();
    await reply.waitFor();
    expect(await reply.textContent()).toContain('Only visible to you');
    await page.getByLabel('Acting as').selectOption({ label: 'Alex Example (@alex)' });
    await expect
      .poll(() => page.locator('li.ephemeral', { hasText: 'note INC-1' }).count())
      .toBe(0);
  });

  it('snoozes from the overflow menu, worked with the keyboard alone', async () => {
    await fire('Checkout error rate');
    const message = page.locator('#messages > li.message', { hasText: 'CheckoutErrorRate' });
    await message.waitFor();

    await message.getByRole('button', { name: 'More actions', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    const menu = message.getByRole('menu');
    expect(await menu.isVisible()).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => page.evaluate('document.activeElement.textContent'))
      .toBe('Snooze 1 hour');
    await page.keyboard.press('Enter');

    await expect.poll(() => message.textContent()).toContain('Snoozed until');
    expect(await message.locator('.menu-list').first().isHidden()).toBe(true);
  });

  it('keeps a selection in one message while another arrives (live updates redraw only it)', async () => {
    await page.getByRole('button', { name: /^# alerts/ }).click();
    const selected = (await page.evaluate(`(() => {
      const title = document.querySelector('#messages > li.message h3');
      const range = document.createRange();
      range.selectNodeContents(title);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      return getSelection().toString();
    })()`)) as string;
    expect(selected).toContain('INC-1');
    const before = await page.locator('#messages > li.message').count();

    await fire('Postgres replication lag');
    await expect.poll(() => page.locator('#messages > li.message').count()).toBe(before + 1);
    expect(await page.evaluate('getSelection().toString()')).toBe(selected);
  });

  it('shows hostile alert text as text: no markup, no broadcast, no foreign link', async () => {
    await fire('break Slack formatting');
    const message = page.locator('#messages > li.message', { hasText: 'map<string,string>' });
    await message.waitFor();
    expect(await message.locator('script, img, iframe, object').count()).toBe(0);
    expect(await message.locator('.broadcast').count()).toBe(0);
    expect(await message.locator('a[href^="https://evil.test"]').count()).toBe(0);
    expect(await message.textContent()).toContain('Latency > 500ms & errors < 1%');
  });

  it('passes an accessibility audit (names, labels, contrast); the page had no error', async () => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axe);
    // The audit runs in the page; its result comes back as plain data.
    const violations = (await page.evaluate(
      `axe.run(document).then((result) => result.violations.map(
        (v) => v.id + ': ' + v.nodes.length + ' x ' + v.help))`,
    )) as string[];
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('says so when the bot stops answering, instead of waiting forever', async () => {
    await bot.stop();
    await page.getByText(/Reconnecting/).waitFor();
    await fire('Checkout latency');
    await expect
      .poll(() => page.locator('#composer-status').textContent())
      .toContain('The bot did not answer');
  });
});
