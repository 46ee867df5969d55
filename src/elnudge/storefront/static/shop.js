// The demo shop's own script: a cart in localStorage, and the shop's business events reported
// through window.__eln (PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART, CHECKOUT_STAGE, PURCHASE).
(function () {
  'use strict';
  var CART = 'demo_shop_cart';
  var ORDER = 'demo_shop_order';
  var body = document.body;
  var base = body.getAttribute('data-base');

  function readCart() {
    try {
      return JSON.parse(localStorage.getItem(CART)) || [];
    } catch (e) {
      return [];
    }
  }

  function writeCart(items) {
    localStorage.setItem(CART, JSON.stringify(items));
    showCount(items);
  }

  function showCount(items) {
    var count = 0;
    for (var i = 0; i < items.length; i++) count += items[i].quantity;
    document.getElementById('cart-count').textContent = String(count);
  }

  function total(items) {
    var sum = 0;
    for (var i = 0; i < items.length; i++) sum += items[i].price * items[i].quantity;
    return Math.round(sum * 100) / 100;
  }

  function money(value) {
    return '$' + value.toFixed(2);
  }

  function productPage() {
    var product = {
      product_id: body.getAttribute('data-product-id'),
      product_name: body.getAttribute('data-product-name'),
      price: parseFloat(body.getAttribute('data-price')),
      currency: body.getAttribute('data-currency')
    };
    // What the nudge engine reads: the name for its messages, the stock for "only 3 left".
    __eln('track', 'PRODUCT_VIEW', {
      product_id: product.product_id, product_name: product.product_name,
      price: product.price, currency: product.currency,
      stock: parseInt(body.getAttribute('data-stock'), 10)
    });
    document.getElementById('add-to-cart').addEventListener('click', function () {
      var items = readCart();
      var line = null;
      for (var i = 0; i < items.length; i++) if (items[i].product_id === product.product_id) line = items[i];
      if (line) line.quantity += 1;
      else items.push({ product_id: product.product_id, product_name: product.product_name,
        price: product.price, currency: product.currency, quantity: 1 });
      writeCart(items);
      __eln('track', 'ADD_TO_CART', {
        product_id: product.product_id, product_name: product.product_name,
        price: product.price, currency: product.currency, quantity: 1
      });
      document.getElementById('added').hidden = false;
    });
  }

  function renderCart() {
    var items = readCart();
    var rows = document.querySelector('#cart-items tbody');
    rows.innerHTML = '';
    items.forEach(function (item, index) {
      var row = document.createElement('tr');
      row.innerHTML = '<td></td><td></td><td></td><td><button class="remove">Remove</button></td>';
      row.children[0].textContent = item.product_name;
      row.children[1].textContent = '× ' + item.quantity;
      row.children[2].textContent = money(item.price * item.quantity);
      row.querySelector('button').addEventListener('click', function () {
        items.splice(index, 1);
        writeCart(items);
        __eln('track', 'REMOVE_FROM_CART', {
          product_id: item.product_id, product_name: item.product_name,
          price: item.price, currency: item.currency, quantity: item.quantity
        });
        renderCart();
      });
      rows.appendChild(row);
    });
    document.getElementById('cart-total').textContent = money(total(items));
    document.getElementById('cart-empty').hidden = items.length > 0;
    document.getElementById('checkout').hidden = items.length === 0;
  }

  function cartPage() {
    __eln('track', 'CHECKOUT_STAGE', { stage: 'cart' });
    renderCart();
  }

  function checkoutPage() {
    var items = readCart();
    document.getElementById('cart-total').textContent = money(total(items));
    __eln('track', 'CHECKOUT_STAGE', { stage: 'checkout' });
    document.getElementById('checkout-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var count = 0;
      for (var i = 0; i < items.length; i++) count += items[i].quantity;
      var order = { order_id: 'ord_' + Date.now().toString(36), value: total(items),
        currency: items.length ? items[0].currency : 'USD', item_count: Math.max(count, 1) };
      __eln('track', 'CHECKOUT_STAGE', { stage: 'payment' });
      sessionStorage.setItem(ORDER, JSON.stringify(order));
      writeCart([]);
      window.location.href = base + '/thank-you';
    });
  }

  function thankYouPage() {
    var order = null;
    try {
      order = JSON.parse(sessionStorage.getItem(ORDER));
    } catch (e) { /* no order: a reload or a direct visit */ }
    if (!order) return;
    sessionStorage.removeItem(ORDER); // a reload must not report the purchase twice
    document.getElementById('order-id').textContent = order.order_id;
    __eln('track', 'PURCHASE', order);
  }

  showCount(readCart());
  var kind = body.getAttribute('data-page');
  if (kind === 'product') productPage();
  else if (kind === 'cart') cartPage();
  else if (kind === 'checkout') checkoutPage();
  else if (kind === 'thank-you') thankYouPage();
})();
